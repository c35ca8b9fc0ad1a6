import { CLUSTER_TAG, ROLE_TAG } from './model.ts';

export interface TagPair {
  Key: string;
  Value: string;
}

/** Name, ploy:cluster and ploy:role: what discovery finds resources by. */
export function clusterTags(cluster: string, name: string, role: string): TagPair[] {
  return [
    { Key: 'Name', Value: name },
    { Key: CLUSTER_TAG, Value: cluster },
    { Key: ROLE_TAG, Value: role },
  ];
}
