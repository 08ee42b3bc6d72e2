"""Running the cloud: first-start set-up, the gunicorn runner, and the pid/state files of `up`."""
