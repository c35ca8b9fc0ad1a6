const COMMON = `  --cluster NAME          cluster name, the value of the ploy:cluster tag (default k3s-ha)
  --region REGION         AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION)
  --endpoint URL          any EC2/ELBv2-compatible endpoint (default: AWS_ENDPOINT_URL)
  -C, --check             show the plan; change nothing
  --json                  print one JSON document instead of lines
  -v                      name every AWS API call on stderr
  -h, --help              this text`;

export const PROVISION_USAGE = `Usage: tsx playbooks/provision.ts --operator-cidr CIDR [options]

Creates (or corrects) the cluster's AWS infrastructure: three security groups, the imported key
pair, a bastion and three K3s servers in three availability zones of the default VPC, and an
internet-facing network load balancer; then writes the inventory. A second run changes nothing.

  --operator-cidr CIDR    who may SSH to the bastion, e.g. 203.0.113.7/32 (required)
  --allow-ssh-from-anywhere  accept 0.0.0.0/0 as --operator-cidr
  --public-key PATH       OpenSSH public key to import (default ~/.ssh/id_ed25519.pub)
  --private-key PATH      written to the inventory as ansible_ssh_private_key_file
  --instance-type TYPE    K3s servers (default t3.medium)
  --bastion-instance-type TYPE  bastion (default t3.micro)
  --ami AMI               image for every host (default: newest official Debian 12 amd64)
  --inventory-out PATH    where to write the inventory (default inventory/hosts.yml)
${COMMON}

Exit codes: 0 done, 1 bad input (nothing changed), 2 an AWS call failed.`;

export const TEARDOWN_USAGE = `Usage: tsx playbooks/teardown.ts [options]

Deletes everything tagged ploy:cluster=NAME in the region, in dependency order: listeners, load
balancers, target groups, instances, security groups, key pairs. A second run finds nothing.

  -y, --yes               do not ask for confirmation (required without a terminal)
${COMMON}

Exit codes: 0 done, 1 bad input or not confirmed (nothing deleted), 2 an AWS call failed.`;
