/**
 * Whether the registry already holds a tag: a HEAD of its manifest (the OCI distribution API), run
 * with python3 on the build host, with the credentials the buildkit role left in root's
 * ~/.docker/config.json (so the password is never on a command line). Prints "present" or
 * "absent"; anything else (refused credentials, no answer) fails with the registry's reason. With
 * no credentials there yet (check mode before the buildkit role ran) a registry that wants them
 * cannot say: "absent", so check mode shows the build, and a real run's push says what is missing.
 */
export const REGISTRY_PROBE = String.raw`
import base64, json, os, sys, urllib.error, urllib.request
url, host, repository, tag, config = sys.argv[1:6]
request = urllib.request.Request(url + "/v2/" + repository + "/manifests/" + tag, method="HEAD")
request.add_header("Accept", ", ".join([
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json"]))
auth = None
if os.path.exists(config):
    with open(config) as f:
        auth = (json.load(f).get("auths") or {}).get(host, {}).get("auth")
if auth:
    request.add_header("Authorization", "Basic " + auth)
try:
    with urllib.request.urlopen(request, timeout=20) as response:
        print("present")
except urllib.error.HTTPError as error:
    if error.code == 404:
        print("absent")
    elif error.code == 401 and not auth:
        print("absent")
        print("the registry %s wants credentials and %s has none for it yet" % (host, config), file=sys.stderr)
    elif error.code == 401:
        sys.exit("the registry %s refused the credentials of %s (HTTP 401): run the buildkit role with k3s_registry_username and k3s_registry_password" % (host, config))
    else:
        sys.exit("the registry %s answered HTTP %d for %s:%s" % (host, error.code, repository, tag))
except OSError as error:
    sys.exit("the registry %s does not answer: %s" % (url, getattr(error, "reason", error)))
`;
