#!/usr/bin/env bash
# Make one image, named by its digest, available in an environment's ECR repository under the
# commit's tag, without building anything: it is either there already (the build job pushed it to
# this repository, or an earlier run copied it) or it is copied from the source repository (the
# environment before this one in the pipeline), byte for byte, so its digest stays the same.
#
# The copy is a registry-to-registry copy of the manifest and its layers (`docker buildx imagetools
# create --prefer-index=false` with a single source keeps the manifest's bytes). Afterwards ECR must
# answer that the commit's tag names exactly the digest that was asked for; anything else fails.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<EOF
Usage: scripts/deploy/promote-image.sh --digest DIGEST --tag SHA --repository NAME --registry HOST
                                       [--source-repository-url URL]

  --digest DIGEST              the image to make available: sha256:<64 hex>, as the environment
                               before this one verified it
  --tag SHA                    the full commit SHA the image was built from (its tag everywhere)
  --repository NAME            this environment's ECR repository name
  --registry HOST              this environment's registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com);
                               the job is logged in to it already
  --source-repository-url URL  the repository to copy from when this one lacks the image:
                               ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME (another account or region
                               is fine if the deploy role may pull from it)

Prints, and appends to \$GITHUB_OUTPUT when that is set:
  image=HOST/NAME@DIGEST   what the task definition is given
  copied=true | false      whether a copy was made
Exits 1 when the tag names another image, the image is neither here nor copyable, or the copy did
not produce the same digest.

Environment:
  AWS_CLI   the AWS CLI command (default: aws); tests point it at a fake
  DOCKER    the Docker CLI command (default: docker); tests point it at a fake
EOF
}

readonly ECR_HOST_PATTERN='^([0-9]{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$'

# Log in to the source registry with this job's credentials, in the source's region.
login_to_source() {
    local host="$1" region="$2"
    log "logging in to the source registry in ${region}"
    aws_cli ecr get-login-password --region "$region" \
        | docker_cli login --username AWS --password-stdin "$host" >/dev/null \
        || fail "could not log in to the source registry ${host} (may the deploy role pull from it?)"
}

copy_by_digest() {
    local source="$1" destination="$2"
    log "copying ${source} to ${destination} (no build: manifest and layers as they are)"
    docker_cli buildx imagetools create --prefer-index=false --tag "$destination" "$source" >&2 \
        || fail "the copy from ${source} failed"
}

main() {
    local digest="" tag="" repository="" registry="" source_url=""
    while (($# > 0)); do
        case "$1" in
            --digest) digest="${2:-}"; shift 2 ;;
            --tag) tag="${2:-}"; shift 2 ;;
            --repository) repository="${2:-}"; shift 2 ;;
            --registry) registry="${2:-}"; shift 2 ;;
            --source-repository-url) source_url="${2:-}"; shift 2 ;;
            -h | --help) usage; return 0 ;;
            *) usage >&2; fail "unknown argument: $1" ;;
        esac
    done
    [[ -n "$digest" && -n "$tag" && -n "$repository" && -n "$registry" ]] \
        || { usage >&2; fail "--digest, --tag, --repository and --registry are required"; }
    [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "the digest must be sha256:<64 hex>, not '${digest}'"
    [[ "$tag" =~ ^[0-9a-f]{40}$ ]] || fail "the tag must be a full commit SHA, not '${tag}'"
    [[ "$registry" =~ $ECR_HOST_PATTERN ]] || fail "not an ECR registry host: '${registry}'"

    local found
    found="$(digest_of_tag "$repository" "$tag")"
    if [[ "$found" == "$digest" ]]; then
        log "${repository}:${tag} is already ${digest}: nothing to copy"
        emit "image=${registry}/${repository}@${digest}"
        emit "copied=false"
        return 0
    fi
    [[ -z "$found" ]] \
        || fail "${repository}:${tag} already names ${found}, not ${digest}: the tag is immutable and was pushed from another build; refusing to deploy either"
    [[ -n "$source_url" ]] \
        || fail "${repository} has no image tagged ${tag}, and no source repository is set to copy ${digest} from (PROMOTE_FROM_ECR_REPOSITORY_URL)"

    local source_host="${source_url%%/*}" source_repository="${source_url#*/}"
    [[ "$source_host" =~ $ECR_HOST_PATTERN && -n "$source_repository" && "$source_repository" != "$source_url" ]] \
        || fail "the source must be an ECR repository URL (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME), not '${source_url}'"
    local source_region="${BASH_REMATCH[3]}"
    if [[ "${GITHUB_ACTIONS:-}" == "true" ]]; then echo "::add-mask::${BASH_REMATCH[1]}"; fi
    if [[ "$source_host" != "$registry" ]]; then
        login_to_source "$source_host" "$source_region"
        # shellcheck disable=SC2064 # expand now: the host is fixed for this run
        trap "docker_cli logout '${source_host}' >/dev/null 2>&1 || true" EXIT
    fi
    copy_by_digest "${source_url}@${digest}" "${registry}/${repository}:${tag}"

    found="$(digest_of_tag "$repository" "$tag")"
    [[ "$found" == "$digest" ]] \
        || fail "after the copy, ${repository}:${tag} names '${found:-nothing}', not ${digest}: the copy did not keep the image as it was"
    log "${repository}:${tag} is now ${digest}, the image the previous environment verified"
    emit "image=${registry}/${repository}@${digest}"
    emit "copied=true"
}

main "$@"
