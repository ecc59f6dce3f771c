"""arq worker settings and job functions; jobs are thin calls into models."""
