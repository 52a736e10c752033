locals {
  azs = slice(data.aws_availability_zones.available.names, 0, var.availability_zone_count)

  # The VPC is cut into sixteen equal blocks; each tier takes four, one per zone (at most three
  # used), so a third zone or a new tier never renumbers existing subnets:
  #   0-3 public (load balancer; tasks by default), 4-7 database (isolated), 8-11 private tasks,
  #   12-15 internal (the internal load balancer CloudFront reaches through a VPC origin).
  public_cidrs   = [for index in range(var.availability_zone_count) : cidrsubnet(var.vpc_cidr, 4, index)]
  database_cidrs = [for index in range(var.availability_zone_count) : cidrsubnet(var.vpc_cidr, 4, 4 + index)]
  task_cidrs     = [for index in range(var.availability_zone_count) : cidrsubnet(var.vpc_cidr, 4, 8 + index)]
  internal_cidrs = [for index in range(var.availability_zone_count) : cidrsubnet(var.vpc_cidr, 4, 12 + index)]
}

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name = var.project
  }
}

# The default security group of a VPC allows all traffic between its members. Managing it with no
# rules empties it, so nothing can rely on it by accident.
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "${var.project}-default-unused"
  }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = var.project
  }
}

# --- Public tier: the load balancer, and the tasks unless tasks_in_private_subnets is set ------
# Instances launched here get no public IP by default; the ECS service asks for one per task.

resource "aws_subnet" "public" {
  count = var.availability_zone_count

  vpc_id                  = aws_vpc.main.id
  cidr_block              = local.public_cidrs[count.index]
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = {
    Name = "${var.project}-public-${local.azs[count.index]}"
    Tier = "public"
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "${var.project}-public"
  }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.main.id
}

resource "aws_route_table_association" "public" {
  count = var.availability_zone_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# --- Database tier: isolated, no route out of the VPC -------------------------------------------

resource "aws_subnet" "database" {
  count = var.availability_zone_count

  vpc_id            = aws_vpc.main.id
  cidr_block        = local.database_cidrs[count.index]
  availability_zone = local.azs[count.index]

  tags = {
    Name = "${var.project}-database-${local.azs[count.index]}"
    Tier = "database"
  }
}

resource "aws_route_table" "database" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "${var.project}-database"
  }
}

resource "aws_route_table_association" "database" {
  count = var.availability_zone_count

  subnet_id      = aws_subnet.database[count.index].id
  route_table_id = aws_route_table.database.id
}

# --- Private task tier (tasks_in_private_subnets): no internet route, VPC endpoints instead -----

resource "aws_subnet" "tasks" {
  count = var.tasks_in_private_subnets ? var.availability_zone_count : 0

  vpc_id            = aws_vpc.main.id
  cidr_block        = local.task_cidrs[count.index]
  availability_zone = local.azs[count.index]

  tags = {
    Name = "${var.project}-tasks-${local.azs[count.index]}"
    Tier = "tasks"
  }
}

resource "aws_route_table" "tasks" {
  count = var.tasks_in_private_subnets ? 1 : 0

  vpc_id = aws_vpc.main.id

  tags = {
    Name = "${var.project}-tasks"
  }
}

resource "aws_route_table_association" "tasks" {
  count = var.tasks_in_private_subnets ? var.availability_zone_count : 0

  subnet_id      = aws_subnet.tasks[count.index].id
  route_table_id = aws_route_table.tasks[0].id
}

# --- Internal tier: the internal load balancer behind CloudFront, no route out of the VPC -------
# CloudFront's VPC origins reach internal load balancers in private subnets through network
# interfaces CloudFront places there; nothing in this tier needs the internet. Subnets cost nothing,
# so the tier exists whether or not the ecs stack puts its load balancer here.

resource "aws_subnet" "internal" {
  count = var.availability_zone_count

  vpc_id            = aws_vpc.main.id
  cidr_block        = local.internal_cidrs[count.index]
  availability_zone = local.azs[count.index]

  tags = {
    Name = "${var.project}-internal-${local.azs[count.index]}"
    Tier = "internal"
  }
}

resource "aws_route_table" "internal" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "${var.project}-internal"
  }
}

resource "aws_route_table_association" "internal" {
  count = var.availability_zone_count

  subnet_id      = aws_subnet.internal[count.index].id
  route_table_id = aws_route_table.internal.id
}
