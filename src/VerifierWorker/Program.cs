return 0; // replaced by the service host
