"""Admin resources of the v3 API: users, projects, roles and grants, catalog, domains."""
