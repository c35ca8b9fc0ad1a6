"""A TCP relay that test/support/bastion-relay.ts runs on a test bed's bastion (test infrastructure,
not a stand-in): it accepts on LISTEN_IP:PORT and pipes each connection to TARGET_IP:TARGET_PORT, so
private hosts, which have no route to the controller, reach a server the tests run there.
Usage: python3 tcp-relay.py LISTEN_IP PORT TARGET_IP TARGET_PORT
"""
import socket
import sys
import threading


def pipe(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def relay(client, target):
    try:
        upstream = socket.create_connection(target, timeout=10)
    except OSError:
        client.close()
        return
    upstream.settimeout(None)
    back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
    back.start()
    pipe(client, upstream)
    back.join()
    client.close()
    upstream.close()


def main(listen_ip, port, target_ip, target_port):
    server = socket.create_server((listen_ip, int(port)))
    while True:
        client, _ = server.accept()
        threading.Thread(target=relay, args=(client, (target_ip, int(target_port))), daemon=True).start()


main(*sys.argv[1:5])
