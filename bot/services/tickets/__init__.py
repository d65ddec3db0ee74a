"""Tickets: a chat admin asks an official representative; answers, deadlines and meetings."""
