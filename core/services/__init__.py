"""Domain services: the rules, called by both front ends and by background jobs."""
