"""Staff accounts, roles, passwords and the actor every action is done by."""
