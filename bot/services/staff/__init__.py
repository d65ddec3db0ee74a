"""Staff of a municipality and the invitations that grant every role."""
