"""Chat activity, uptake of new chats and their charts."""
