"""openstacksdk iterating every server, as a script would: run with the bench venv's python.

Settings come from the OS_* environment; prints the number of servers seen.
"""

import sys

import openstack


def main() -> None:
    conn = openstack.connect()
    all_projects = "--all-projects" in sys.argv[1:]
    count = sum(1 for _ in conn.compute.servers(all_projects=all_projects))
    print(count)


if __name__ == "__main__":
    main()
