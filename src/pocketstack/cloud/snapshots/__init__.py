"""Snapshots of a cloud's state, taken and put back while it runs: `<data-dir>/snapshots/NAME/`
holds the database's rows (an SQLite file on every backend), the Fernet and credential key
repositories and the image data.

layout.py names and lays out a snapshot, dbcopy.py copies the database out, dbrestore.py puts its
rows back in one transaction, files.py copies keys and image data, ops.py puts them together
(`take`, `restore`, `reset`, `listing`).
"""
