from backend.app.services.users import create_user


def test_create_user():
    create_user("ada")
