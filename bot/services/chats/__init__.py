"""House chats: creation, the directory (lists, cards, search), roles in chats (admins,
representatives, the coordination chat), health (links, lost chats), posters and onboarding."""
