"""Each API operation declared once (operation.py), and what is derived from the declarations:
the routes each service's falcon app serves and the policy checked before its responder
(enforce.py), the served OpenAPI document (document.py), and the check of every response
against its declared schema that the test suite runs under (responses.py)."""
