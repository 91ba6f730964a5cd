# Rendered by kemu deploy --aws (docs/deploy.md). One provider: the handler zips are built by
# kemu at render time, so no archive provider is needed.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

provider "aws" {
  region = module.topology.region
}
