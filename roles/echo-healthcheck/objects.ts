/**
 * The echo pod on every node and the NodePort the load balancer's health checks probe. The Service
 * keeps traffic on the node it reached (externalTrafficPolicy: Local): a node whose own echo pod is
 * not ready then refuses port 32000, which is what marks it failed; with the default policy
 * kube-proxy would answer for it from another node's pod.
 */
export const NAME = 'echo-healthcheck';
/** The echo's port in the container (the Dockerfile's socat listens there) and on every node. */
export const ECHO_PORT = 2000;
export const NODE_PORT = 32000;
export const LABELS = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': NAME, 'app.kubernetes.io/managed-by': 'ploy' } as const;
const SELECTOR = { 'app.kubernetes.io/name': NAME };

/** K3s servers may carry these taints (a server with node-taint, or an older master label); the echo must run there anyway. */
const CONTROL_PLANE_TAINTS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master', 'node-role.kubernetes.io/etcd', 'CriticalAddonsOnly'];

export function echoObjects(namespace: string, image: string) {
  const metadata = { name: NAME, namespace, labels: { ...LABELS } };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata,
      spec: {
        selector: { matchLabels: SELECTOR },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: { ...LABELS } },
          spec: {
            tolerations: CONTROL_PLANE_TAINTS.map((key) => ({ key, operator: 'Exists' })),
            containers: [
              {
                name: 'echo',
                image,
                ports: [{ name: 'echo', containerPort: ECHO_PORT, protocol: 'TCP' }],
                readinessProbe: { tcpSocket: { port: 'echo' }, periodSeconds: 5, failureThreshold: 2 },
                livenessProbe: { tcpSocket: { port: 'echo' }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 },
                resources: { requests: { cpu: '5m', memory: '8Mi' }, limits: { memory: '32Mi' } },
                securityContext: { runAsUser: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        type: 'NodePort',
        externalTrafficPolicy: 'Local',
        selector: SELECTOR,
        ports: [{ name: 'echo', protocol: 'TCP', port: ECHO_PORT, targetPort: 'echo', nodePort: NODE_PORT }],
      },
    },
  ];
}
