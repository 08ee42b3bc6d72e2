"""The network service: a Neutron v2.0 subset (networks, subnets with IPAM, ports), data only."""
