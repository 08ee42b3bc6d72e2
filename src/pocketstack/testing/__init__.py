"""pocketstack for testing tools that talk to OpenStack: a cloud started from the test process
(server.py), credentials in the forms tools read (credentials.py), a project per test
(projects.py), and the pytest plugin that puts them together (pytest_plugin.py)."""
