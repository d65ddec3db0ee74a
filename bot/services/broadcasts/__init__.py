"""Broadcasts to house chats: recipients from the actor's roles, deliveries per chat."""
