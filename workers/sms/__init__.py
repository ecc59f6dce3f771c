"""SMS providers behind models.notifications.providers.SmsProvider."""
