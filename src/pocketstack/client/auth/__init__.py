"""Auth plugins: generic (discovering) Password/Token, v2 and v3 plugins, token-endpoint."""
