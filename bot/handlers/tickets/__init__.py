"""The tickets flow: a chat admin opens a ticket to an official representative (`opening`);
representatives answer and set meetings, staff reassign overdue ones (`answers`)."""
