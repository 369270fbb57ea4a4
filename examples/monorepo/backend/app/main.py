from backend.app.routes import admin, api
from backend.app.services import orders, users

ROUTES = [admin, api, orders, users]
