"""What happened, kept for the operators: each order's calls to the provider, the sync's runs."""
