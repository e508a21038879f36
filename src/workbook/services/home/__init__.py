"""What a person sees first after signing in, and finding families."""
