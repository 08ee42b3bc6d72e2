"""The web dashboard at /dashboard (a Horizon for the everyday pages)."""
