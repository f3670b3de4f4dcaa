# Configure only the vendors you use; every setting can also come from an IMOPS_* environment
# variable, which keeps secrets out of the configuration.
provider "imops" {
  rongcloud {
    app_key    = var.rongcloud_app_key
    app_secret = var.rongcloud_app_secret
    region     = "singapore"
  }

  easemob {
    api_url       = "https://a1.easemob.com"
    org_name      = "1122334455"
    app_name      = "chat"
    client_id     = var.easemob_client_id
    client_secret = var.easemob_client_secret
  }

  tencentim {
    sdk_app_id = 1400000000
    identifier = "administrator"
    secret_key = var.tencentim_secret_key
    region     = "china"
  }
}

variable "rongcloud_app_key" {
  type = string
}

variable "rongcloud_app_secret" {
  type      = string
  sensitive = true
}

variable "easemob_client_id" {
  type = string
}

variable "easemob_client_secret" {
  type      = string
  sensitive = true
}

variable "tencentim_secret_key" {
  type      = string
  sensitive = true
}
