"""How a person is named to others: one rule for pages, e-mail and the API."""


def shown_name(first_name: str, last_name: str, email: str) -> str:
    """The full name (as User.get_full_name makes it), else the e-mail address; from the three
    columns, for rows read with values() rather than as users."""
    return f"{first_name} {last_name}".strip() or email
