import type { Client } from 'ssh2';

type GlobalRequestHandler = (packet: unknown, name: string, wantReply: boolean, data: unknown) => unknown;

interface ClientInternals {
  _protocol?: { _handlers?: Record<string, unknown>; requestSuccess?: () => void };
}

/**
 * After login, OpenSSH announces all its host keys (hostkeys-00@openssh.com, for UpdateHostKeys).
 * ssh2 answers every announcement by asking the server to prove each key: the server signs with
 * every host key (RSA included) and the client verifies each signature, one more round trip per
 * connection, and nothing listens for the result (ploy never rewrites known_hosts from it, as
 * OpenSSH's own client does not with a UserKnownHostsFile set). At 30 hosts on 2 cores the
 * proofs took about 0.2 s of the controller's CPU. This answers the announcement as OpenSSH's
 * client does when it ignores it.
 *
 * It replaces a handler inside ssh2 (pinned in package.json), so call it right after
 * client.connect(). Should ssh2 change that internal, this does nothing and ssh2 keeps proving the
 * keys, as before; test/integration/connection-ssh.test.ts checks that it still takes effect.
 */
export function ignoreHostKeyAnnouncements(client: Client): void {
  const protocol = (client as unknown as ClientInternals)._protocol;
  const handlers = protocol?._handlers;
  const original = handlers?.GLOBAL_REQUEST;
  if (!protocol || !handlers || typeof original !== 'function' || typeof protocol.requestSuccess !== 'function') return;
  const handleOthers = original as GlobalRequestHandler;
  const replaced: GlobalRequestHandler = (packet, name, wantReply, data) => {
    if (name !== 'hostkeys-00@openssh.com') return handleOthers(packet, name, wantReply, data);
    if (wantReply) protocol.requestSuccess?.();
    return undefined;
  };
  handlers.GLOBAL_REQUEST = replaced;
}
