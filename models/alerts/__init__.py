"""Deadline alerts (黄牌/红牌) and the escalation of overdue cases."""
