/**
 * Every built-in resource that kube-apiserver v1.36 writes to etcd, as data.
 *
 * The quirks of the key layout (services under services/specs, nodes under minions, ...) are
 * rows of this table, never branches in code: a table-driven test walks every row.
 *
 * Where the facts come from (checked against kubernetes/kubernetes at the v1.36 line):
 * - storagePath: kube-apiserver's DefaultStorageFactory uses the plain resource name, with no
 *   group, unless SpecialDefaultResourcePrefixes overrides it (controllers, services/endpoints,
 *   minions, services/specs, ingress). Only the two servers with their own storage factories
 *   (apiextensions-apiserver, kube-aggregator) put the group in front of the resource.
 * - storageVersion: the group's most preferred version that a v1.35 server can already read
 *   (so that a rollback by one minor release still works), or an explicit override in
 *   NewStorageFactoryConfigEffectiveVersion; CRDs are still written as apiextensions v1beta1.
 *   The integration test data test/integration/etcd/data.go pins every one of these.
 * Pure module: no I/O.
 */

/** A group and a plural resource name, the identity kube-apiserver storage is keyed by. */
export interface GroupResource {
  /** API group; '' for the legacy core group. */
  readonly group: string;
  /** Plural, lowercase resource name, e.g. deployments. */
  readonly resource: string;
}

/** One row of the built-in resource table (BUILTIN_RESOURCES, RETIRED_RESOURCES). */
export interface BuiltinResource extends GroupResource {
  /** Lowercase singular name kubectl accepts, e.g. deployment. */
  readonly singular: string;
  readonly kind: string;
  /** kubectl short names, e.g. deploy. */
  readonly shortNames: readonly string[];
  /** Discovery categories, e.g. "all" (what `kubectl get all` lists). */
  readonly categories?: readonly string[];
  readonly namespaced: boolean;
  /**
   * Versions this kube-apiserver can serve, most preferred first. Alpha versions and most newer
   * beta versions are served only when enabled with --runtime-config.
   */
  readonly versions: readonly string[];
  /** Version (of the storage group) the objects are encoded in when written to etcd. */
  readonly storageVersion: string;
  /** Path under the etcd prefix: objects live at <prefix>/<storagePath>/[<namespace>/]<name>. */
  readonly storagePath: string;
  /**
   * Set when this resource is another view of a resource stored elsewhere: its objects live under
   * that resource's path, encoded in that resource's group (events.k8s.io Events are core Events).
   */
  readonly storedAs?: GroupResource;
  /** Release that stopped serving the resource; only on rows of RETIRED_RESOURCES. */
  readonly removedIn?: string;
  /** One sentence about storage behaviour worth knowing when reading the key. */
  readonly note?: string;
}

const ALL = ['all'] as const;
const API_EXTENSIONS = ['api-extensions'] as const;

/** Every built-in resource kube-apiserver v1.36 stores in etcd (when its API is enabled). */
export const BUILTIN_RESOURCES: readonly BuiltinResource[] = [
  // core (legacy group, served at /api/v1)
  { group: '', resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', shortNames: ['cm'], namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'configmaps' },
  { group: '', resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', shortNames: ['ep'], namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'services/endpoints' },
  {
    group: '',
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    shortNames: ['ev'],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'events',
    note: 'Written with an etcd lease of --event-ttl (default 1h), so etcd deletes the key when the lease expires.',
  },
  { group: '', resource: 'limitranges', singular: 'limitrange', kind: 'LimitRange', shortNames: ['limits'], namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'limitranges' },
  { group: '', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', shortNames: ['ns'], namespaced: false, versions: ['v1'], storageVersion: 'v1', storagePath: 'namespaces' },
  { group: '', resource: 'nodes', singular: 'node', kind: 'Node', shortNames: ['no'], namespaced: false, versions: ['v1'], storageVersion: 'v1', storagePath: 'minions' },
  {
    group: '',
    resource: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    kind: 'PersistentVolumeClaim',
    shortNames: ['pvc'],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'persistentvolumeclaims',
  },
  {
    group: '',
    resource: 'persistentvolumes',
    singular: 'persistentvolume',
    kind: 'PersistentVolume',
    shortNames: ['pv'],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'persistentvolumes',
  },
  { group: '', resource: 'pods', singular: 'pod', kind: 'Pod', shortNames: ['po'], categories: ALL, namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'pods' },
  { group: '', resource: 'podtemplates', singular: 'podtemplate', kind: 'PodTemplate', shortNames: [], namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'podtemplates' },
  {
    group: '',
    resource: 'replicationcontrollers',
    singular: 'replicationcontroller',
    kind: 'ReplicationController',
    shortNames: ['rc'],
    categories: ALL,
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'controllers',
  },
  {
    group: '',
    resource: 'resourcequotas',
    singular: 'resourcequota',
    kind: 'ResourceQuota',
    shortNames: ['quota'],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'resourcequotas',
  },
  { group: '', resource: 'secrets', singular: 'secret', kind: 'Secret', shortNames: [], namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'secrets' },
  {
    group: '',
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    shortNames: ['sa'],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'serviceaccounts',
  },
  {
    group: '',
    resource: 'services',
    singular: 'service',
    kind: 'Service',
    shortNames: ['svc'],
    categories: ALL,
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'services/specs',
  },

  // admissionregistration.k8s.io
  {
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingadmissionpolicies',
    singular: 'mutatingadmissionpolicy',
    kind: 'MutatingAdmissionPolicy',
    shortNames: [],
    categories: API_EXTENSIONS,
    namespaced: false,
    versions: ['v1', 'v1beta1', 'v1alpha1'],
    storageVersion: 'v1beta1',
    storagePath: 'mutatingadmissionpolicies',
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingadmissionpolicybindings',
    singular: 'mutatingadmissionpolicybinding',
    kind: 'MutatingAdmissionPolicyBinding',
    shortNames: [],
    categories: API_EXTENSIONS,
    namespaced: false,
    versions: ['v1', 'v1beta1', 'v1alpha1'],
    storageVersion: 'v1beta1',
    storagePath: 'mutatingadmissionpolicybindings',
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingwebhookconfigurations',
    singular: 'mutatingwebhookconfiguration',
    kind: 'MutatingWebhookConfiguration',
    shortNames: [],
    categories: API_EXTENSIONS,
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'mutatingwebhookconfigurations',
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'validatingadmissionpolicies',
    singular: 'validatingadmissionpolicy',
    kind: 'ValidatingAdmissionPolicy',
    shortNames: [],
    categories: API_EXTENSIONS,
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'validatingadmissionpolicies',
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'validatingadmissionpolicybindings',
    singular: 'validatingadmissionpolicybinding',
    kind: 'ValidatingAdmissionPolicyBinding',
    shortNames: [],
    categories: API_EXTENSIONS,
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'validatingadmissionpolicybindings',
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    singular: 'validatingwebhookconfiguration',
    kind: 'ValidatingWebhookConfiguration',
    shortNames: [],
    categories: API_EXTENSIONS,
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'validatingwebhookconfigurations',
  },

  // apiextensions.k8s.io (apiextensions-apiserver: group-prefixed path, still encoded as v1beta1)
  {
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    shortNames: ['crd', 'crds'],
    categories: API_EXTENSIONS,
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1beta1',
    storagePath: 'apiextensions.k8s.io/customresourcedefinitions',
  },

  // apiregistration.k8s.io (kube-aggregator: group-prefixed path)
  {
    group: 'apiregistration.k8s.io',
    resource: 'apiservices',
    singular: 'apiservice',
    kind: 'APIService',
    shortNames: [],
    categories: API_EXTENSIONS,
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'apiregistration.k8s.io/apiservices',
  },

  // apps
  {
    group: 'apps',
    resource: 'controllerrevisions',
    singular: 'controllerrevision',
    kind: 'ControllerRevision',
    shortNames: [],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'controllerrevisions',
  },
  {
    group: 'apps',
    resource: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    shortNames: ['ds'],
    categories: ALL,
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'daemonsets',
  },
  {
    group: 'apps',
    resource: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    shortNames: ['deploy'],
    categories: ALL,
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'deployments',
  },
  {
    group: 'apps',
    resource: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    shortNames: ['rs'],
    categories: ALL,
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'replicasets',
  },
  {
    group: 'apps',
    resource: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    shortNames: ['sts'],
    categories: ALL,
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'statefulsets',
  },

  // autoscaling
  {
    group: 'autoscaling',
    resource: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    shortNames: ['hpa'],
    categories: ALL,
    namespaced: true,
    versions: ['v2', 'v1'],
    storageVersion: 'v2',
    storagePath: 'horizontalpodautoscalers',
  },

  // batch
  {
    group: 'batch',
    resource: 'cronjobs',
    singular: 'cronjob',
    kind: 'CronJob',
    shortNames: ['cj'],
    categories: ALL,
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'cronjobs',
  },
  { group: 'batch', resource: 'jobs', singular: 'job', kind: 'Job', shortNames: [], categories: ALL, namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'jobs' },

  // certificates.k8s.io
  {
    group: 'certificates.k8s.io',
    resource: 'certificatesigningrequests',
    singular: 'certificatesigningrequest',
    kind: 'CertificateSigningRequest',
    shortNames: ['csr'],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'certificatesigningrequests',
  },
  {
    group: 'certificates.k8s.io',
    resource: 'clustertrustbundles',
    singular: 'clustertrustbundle',
    kind: 'ClusterTrustBundle',
    shortNames: [],
    namespaced: false,
    versions: ['v1beta1', 'v1alpha1'],
    storageVersion: 'v1beta1',
    storagePath: 'clustertrustbundles',
  },
  {
    group: 'certificates.k8s.io',
    resource: 'podcertificaterequests',
    singular: 'podcertificaterequest',
    kind: 'PodCertificateRequest',
    shortNames: [],
    namespaced: true,
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    storagePath: 'podcertificaterequests',
  },

  // coordination.k8s.io
  {
    group: 'coordination.k8s.io',
    resource: 'leasecandidates',
    singular: 'leasecandidate',
    kind: 'LeaseCandidate',
    shortNames: [],
    namespaced: true,
    versions: ['v1beta1', 'v1alpha2'],
    storageVersion: 'v1beta1',
    storagePath: 'leasecandidates',
  },
  { group: 'coordination.k8s.io', resource: 'leases', singular: 'lease', kind: 'Lease', shortNames: [], namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'leases' },

  // discovery.k8s.io
  {
    group: 'discovery.k8s.io',
    resource: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    shortNames: [],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'endpointslices',
  },

  // events.k8s.io: the same objects as core events, stored (and encoded) as core/v1 Event
  {
    group: 'events.k8s.io',
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    shortNames: ['ev'],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'events',
    storedAs: { group: '', resource: 'events' },
    note: 'Shares storage with core events: the value is a core/v1 Event, written with an etcd lease of --event-ttl (default 1h).',
  },

  // flowcontrol.apiserver.k8s.io
  {
    group: 'flowcontrol.apiserver.k8s.io',
    resource: 'flowschemas',
    singular: 'flowschema',
    kind: 'FlowSchema',
    shortNames: [],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'flowschemas',
  },
  {
    group: 'flowcontrol.apiserver.k8s.io',
    resource: 'prioritylevelconfigurations',
    singular: 'prioritylevelconfiguration',
    kind: 'PriorityLevelConfiguration',
    shortNames: [],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'prioritylevelconfigurations',
  },

  // internal.apiserver.k8s.io
  {
    group: 'internal.apiserver.k8s.io',
    resource: 'storageversions',
    singular: 'storageversion',
    kind: 'StorageVersion',
    shortNames: [],
    namespaced: false,
    versions: ['v1alpha1'],
    storageVersion: 'v1alpha1',
    storagePath: 'storageversions',
  },

  // networking.k8s.io
  {
    group: 'networking.k8s.io',
    resource: 'ingressclasses',
    singular: 'ingressclass',
    kind: 'IngressClass',
    shortNames: [],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'ingressclasses',
  },
  { group: 'networking.k8s.io', resource: 'ingresses', singular: 'ingress', kind: 'Ingress', shortNames: ['ing'], namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'ingress' },
  {
    group: 'networking.k8s.io',
    resource: 'ipaddresses',
    singular: 'ipaddress',
    kind: 'IPAddress',
    shortNames: ['ip'],
    namespaced: false,
    versions: ['v1', 'v1beta1'],
    storageVersion: 'v1',
    storagePath: 'ipaddresses',
  },
  {
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    singular: 'networkpolicy',
    kind: 'NetworkPolicy',
    shortNames: ['netpol'],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'networkpolicies',
  },
  {
    group: 'networking.k8s.io',
    resource: 'servicecidrs',
    singular: 'servicecidr',
    kind: 'ServiceCIDR',
    shortNames: [],
    namespaced: false,
    versions: ['v1', 'v1beta1'],
    storageVersion: 'v1',
    storagePath: 'servicecidrs',
  },

  // node.k8s.io
  {
    group: 'node.k8s.io',
    resource: 'runtimeclasses',
    singular: 'runtimeclass',
    kind: 'RuntimeClass',
    shortNames: [],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'runtimeclasses',
  },

  // policy
  {
    group: 'policy',
    resource: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    shortNames: ['pdb'],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'poddisruptionbudgets',
  },

  // rbac.authorization.k8s.io
  {
    group: 'rbac.authorization.k8s.io',
    resource: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    kind: 'ClusterRoleBinding',
    shortNames: [],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'clusterrolebindings',
  },
  {
    group: 'rbac.authorization.k8s.io',
    resource: 'clusterroles',
    singular: 'clusterrole',
    kind: 'ClusterRole',
    shortNames: [],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'clusterroles',
  },
  {
    group: 'rbac.authorization.k8s.io',
    resource: 'rolebindings',
    singular: 'rolebinding',
    kind: 'RoleBinding',
    shortNames: [],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'rolebindings',
  },
  { group: 'rbac.authorization.k8s.io', resource: 'roles', singular: 'role', kind: 'Role', shortNames: [], namespaced: true, versions: ['v1'], storageVersion: 'v1', storagePath: 'roles' },

  // resource.k8s.io (dynamic resource allocation)
  {
    group: 'resource.k8s.io',
    resource: 'deviceclasses',
    singular: 'deviceclass',
    kind: 'DeviceClass',
    shortNames: [],
    namespaced: false,
    versions: ['v1', 'v1beta2', 'v1beta1'],
    storageVersion: 'v1',
    storagePath: 'deviceclasses',
  },
  {
    group: 'resource.k8s.io',
    resource: 'devicetaintrules',
    singular: 'devicetaintrule',
    kind: 'DeviceTaintRule',
    shortNames: [],
    namespaced: false,
    versions: ['v1beta2', 'v1alpha3'],
    storageVersion: 'v1alpha3',
    storagePath: 'devicetaintrules',
  },
  {
    group: 'resource.k8s.io',
    resource: 'resourceclaims',
    singular: 'resourceclaim',
    kind: 'ResourceClaim',
    shortNames: [],
    namespaced: true,
    versions: ['v1', 'v1beta2', 'v1beta1'],
    storageVersion: 'v1',
    storagePath: 'resourceclaims',
  },
  {
    group: 'resource.k8s.io',
    resource: 'resourceclaimtemplates',
    singular: 'resourceclaimtemplate',
    kind: 'ResourceClaimTemplate',
    shortNames: [],
    namespaced: true,
    versions: ['v1', 'v1beta2', 'v1beta1'],
    storageVersion: 'v1',
    storagePath: 'resourceclaimtemplates',
  },
  {
    group: 'resource.k8s.io',
    resource: 'resourcepoolstatusrequests',
    singular: 'resourcepoolstatusrequest',
    kind: 'ResourcePoolStatusRequest',
    shortNames: [],
    namespaced: false,
    versions: ['v1alpha3'],
    storageVersion: 'v1alpha3',
    storagePath: 'resourcepoolstatusrequests',
  },
  {
    group: 'resource.k8s.io',
    resource: 'resourceslices',
    singular: 'resourceslice',
    kind: 'ResourceSlice',
    shortNames: [],
    namespaced: false,
    versions: ['v1', 'v1beta2', 'v1beta1'],
    storageVersion: 'v1',
    storagePath: 'resourceslices',
  },

  // scheduling.k8s.io
  {
    group: 'scheduling.k8s.io',
    resource: 'podgroups',
    singular: 'podgroup',
    kind: 'PodGroup',
    shortNames: [],
    namespaced: true,
    versions: ['v1alpha2'],
    storageVersion: 'v1alpha2',
    storagePath: 'podgroups',
  },
  {
    group: 'scheduling.k8s.io',
    resource: 'priorityclasses',
    singular: 'priorityclass',
    kind: 'PriorityClass',
    shortNames: ['pc'],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'priorityclasses',
  },
  {
    group: 'scheduling.k8s.io',
    resource: 'workloads',
    singular: 'workload',
    kind: 'Workload',
    shortNames: [],
    namespaced: true,
    versions: ['v1alpha2'],
    storageVersion: 'v1alpha2',
    storagePath: 'workloads',
  },

  // storage.k8s.io
  { group: 'storage.k8s.io', resource: 'csidrivers', singular: 'csidriver', kind: 'CSIDriver', shortNames: [], namespaced: false, versions: ['v1'], storageVersion: 'v1', storagePath: 'csidrivers' },
  { group: 'storage.k8s.io', resource: 'csinodes', singular: 'csinode', kind: 'CSINode', shortNames: [], namespaced: false, versions: ['v1'], storageVersion: 'v1', storagePath: 'csinodes' },
  {
    group: 'storage.k8s.io',
    resource: 'csistoragecapacities',
    singular: 'csistoragecapacity',
    kind: 'CSIStorageCapacity',
    shortNames: [],
    namespaced: true,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'csistoragecapacities',
  },
  {
    group: 'storage.k8s.io',
    resource: 'storageclasses',
    singular: 'storageclass',
    kind: 'StorageClass',
    shortNames: ['sc'],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'storageclasses',
  },
  {
    group: 'storage.k8s.io',
    resource: 'volumeattachments',
    singular: 'volumeattachment',
    kind: 'VolumeAttachment',
    shortNames: [],
    namespaced: false,
    versions: ['v1'],
    storageVersion: 'v1',
    storagePath: 'volumeattachments',
  },
  {
    group: 'storage.k8s.io',
    resource: 'volumeattributesclasses',
    singular: 'volumeattributesclass',
    kind: 'VolumeAttributesClass',
    shortNames: ['vac'],
    namespaced: false,
    versions: ['v1', 'v1beta1'],
    storageVersion: 'v1',
    storagePath: 'volumeattributesclasses',
  },

  // storagemigration.k8s.io
  {
    group: 'storagemigration.k8s.io',
    resource: 'storageversionmigrations',
    singular: 'storageversionmigration',
    kind: 'StorageVersionMigration',
    shortNames: [],
    namespaced: false,
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    storagePath: 'storageversionmigrations',
  },
];

/**
 * Resources that older releases stored and v1.36 no longer serves. etcd keeps their keys after an
 * upgrade until someone deletes them, so kreg still explains them. storageVersion is the last
 * version the resource was written in.
 */
export const RETIRED_RESOURCES: readonly BuiltinResource[] = [
  {
    group: 'policy',
    resource: 'podsecuritypolicies',
    singular: 'podsecuritypolicy',
    kind: 'PodSecurityPolicy',
    shortNames: ['psp'],
    namespaced: false,
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    storagePath: 'podsecuritypolicy',
    removedIn: '1.25',
  },
  {
    group: 'settings.k8s.io',
    resource: 'podpresets',
    singular: 'podpreset',
    kind: 'PodPreset',
    shortNames: [],
    namespaced: true,
    versions: ['v1alpha1'],
    storageVersion: 'v1alpha1',
    storagePath: 'podpresets',
    removedIn: '1.20',
  },
  {
    group: 'networking.k8s.io',
    resource: 'clustercidrs',
    singular: 'clustercidr',
    kind: 'ClusterCIDR',
    shortNames: [],
    namespaced: false,
    versions: ['v1alpha1'],
    storageVersion: 'v1alpha1',
    storagePath: 'clustercidrs',
    removedIn: '1.29',
  },
  {
    group: 'resource.k8s.io',
    resource: 'resourceclasses',
    singular: 'resourceclass',
    kind: 'ResourceClass',
    shortNames: [],
    namespaced: false,
    versions: ['v1alpha2'],
    storageVersion: 'v1alpha2',
    storagePath: 'resourceclasses',
    removedIn: '1.31',
  },
  {
    group: 'resource.k8s.io',
    resource: 'podschedulingcontexts',
    singular: 'podschedulingcontext',
    kind: 'PodSchedulingContext',
    shortNames: [],
    namespaced: true,
    versions: ['v1alpha3'],
    storageVersion: 'v1alpha3',
    storagePath: 'podschedulingcontexts',
    removedIn: '1.32',
  },
];

/**
 * Kinds of groups that are no longer served but whose objects shared storage with a resource that
 * still is (AddCohabitatingResources). Old etcd data can hold such an object under the live
 * resource's path, encoded in the old group/version, e.g. extensions/v1beta1 in /registry/deployments.
 */
/** A kind of a retired group version still stored under its successor's path (see COHABITING_LEGACY_KINDS). */
export interface CohabitingLegacyKind {
  readonly group: string;
  readonly kind: string;
  readonly lastVersion: string;
  readonly storedWith: GroupResource;
}

export const COHABITING_LEGACY_KINDS: readonly CohabitingLegacyKind[] = [
  { group: 'extensions', kind: 'DaemonSet', lastVersion: 'v1beta1', storedWith: { group: 'apps', resource: 'daemonsets' } },
  { group: 'extensions', kind: 'Deployment', lastVersion: 'v1beta1', storedWith: { group: 'apps', resource: 'deployments' } },
  { group: 'extensions', kind: 'Ingress', lastVersion: 'v1beta1', storedWith: { group: 'networking.k8s.io', resource: 'ingresses' } },
  { group: 'extensions', kind: 'NetworkPolicy', lastVersion: 'v1beta1', storedWith: { group: 'networking.k8s.io', resource: 'networkpolicies' } },
  { group: 'extensions', kind: 'PodSecurityPolicy', lastVersion: 'v1beta1', storedWith: { group: 'policy', resource: 'podsecuritypolicies' } },
  { group: 'extensions', kind: 'ReplicaSet', lastVersion: 'v1beta1', storedWith: { group: 'apps', resource: 'replicasets' } },
];

/**
 * API kinds that are never written to etcd as objects of their own: requests evaluated on the spot,
 * subresource views, webhook payloads and envelopes. Asking kreg for one of these is a usage error
 * that can say why.
 */
export interface UnstoredKind {
  readonly group: string;
  readonly kind: string;
  /** Top-level resource name, when the kind is served as one (e.g. tokenreviews). */
  readonly resource?: string;
  readonly shortNames?: readonly string[];
  /** Why there is nothing in etcd, in one sentence. */
  readonly reason: string;
}

const ENVELOPE = 'An envelope of the API protocol (request options, status, watch event, discovery), never stored.';
const REVIEW = 'A review request: the API server answers it on the spot and stores nothing.';
const WEBHOOK = 'A webhook request/response payload, exchanged over HTTP and never stored.';
const SCALE = 'The scale subresource: a view of the parent object (e.g. a Deployment), which is what is stored.';

/** Kinds the API serves that are never stored, with the reason; resolveResource names it for them. */
export const UNSTORED_KINDS: readonly UnstoredKind[] = [
  { group: '', kind: 'Binding', resource: 'bindings', reason: 'A request that sets spec.nodeName on a pod (pods/binding); only the pod is stored.' },
  { group: '', kind: 'ComponentStatus', resource: 'componentstatuses', shortNames: ['cs'], reason: 'It is computed on each request by probing the control-plane components (deprecated).' },
  { group: '', kind: 'RangeAllocation', reason: 'Stored only under the allocator keys <prefix>/ranges/serviceips, secondaryserviceips and servicenodeports, not as an API resource.' },
  { group: '', kind: 'PodStatusResult', reason: 'A status envelope exchanged with the kubelet, never stored.' },
  { group: '', kind: 'SerializedReference', reason: 'An embedded reference used in annotations, never stored as an object.' },
  { group: '', kind: 'APIGroup', reason: ENVELOPE },
  { group: '', kind: 'APIVersions', reason: ENVELOPE },
  { group: '', kind: 'Status', reason: ENVELOPE },
  { group: '', kind: 'WatchEvent', reason: ENVELOPE },
  { group: '', kind: 'CreateOptions', reason: ENVELOPE },
  { group: '', kind: 'DeleteOptions', reason: ENVELOPE },
  { group: '', kind: 'GetOptions', reason: ENVELOPE },
  { group: '', kind: 'ListOptions', reason: ENVELOPE },
  { group: '', kind: 'PatchOptions', reason: ENVELOPE },
  { group: '', kind: 'UpdateOptions', reason: ENVELOPE },
  { group: '', kind: 'NodeProxyOptions', reason: ENVELOPE },
  { group: '', kind: 'PodAttachOptions', reason: ENVELOPE },
  { group: '', kind: 'PodExecOptions', reason: ENVELOPE },
  { group: '', kind: 'PodLogOptions', reason: ENVELOPE },
  { group: '', kind: 'PodPortForwardOptions', reason: ENVELOPE },
  { group: '', kind: 'PodProxyOptions', reason: ENVELOPE },
  { group: '', kind: 'ServiceProxyOptions', reason: ENVELOPE },
  { group: 'apidiscovery.k8s.io', kind: 'APIGroupDiscovery', reason: ENVELOPE },
  { group: 'policy', kind: 'Eviction', reason: 'A request to delete a pod while honouring disruption budgets (pods/eviction); only the pod is stored.' },
  { group: 'autoscaling', kind: 'Scale', reason: SCALE },
  { group: 'apps', kind: 'Scale', reason: SCALE },
  { group: 'extensions', kind: 'Scale', reason: SCALE },
  { group: 'apps', kind: 'DeploymentRollback', reason: 'A legacy rollback request against a Deployment; only the Deployment is stored.' },
  { group: 'extensions', kind: 'DeploymentRollback', reason: 'A legacy rollback request against a Deployment; only the Deployment is stored.' },
  { group: 'authentication.k8s.io', kind: 'TokenReview', resource: 'tokenreviews', reason: REVIEW },
  { group: 'authentication.k8s.io', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', reason: REVIEW },
  { group: 'authentication.k8s.io', kind: 'TokenRequest', reason: 'A request for a service account token (serviceaccounts/token): the token is signed and returned, never stored.' },
  { group: 'authorization.k8s.io', kind: 'SubjectAccessReview', resource: 'subjectaccessreviews', reason: REVIEW },
  { group: 'authorization.k8s.io', kind: 'LocalSubjectAccessReview', resource: 'localsubjectaccessreviews', reason: REVIEW },
  { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview', resource: 'selfsubjectaccessreviews', reason: REVIEW },
  { group: 'authorization.k8s.io', kind: 'SelfSubjectRulesReview', resource: 'selfsubjectrulesreviews', reason: REVIEW },
  { group: 'admission.k8s.io', kind: 'AdmissionReview', reason: WEBHOOK },
  { group: 'apiextensions.k8s.io', kind: 'ConversionReview', reason: WEBHOOK },
  { group: 'imagepolicy.k8s.io', kind: 'ImageReview', reason: WEBHOOK },
];

/**
 * Discovery priority of the built-in groups (GroupPriorityMinimum of their APIServices in
 * kube-apiserver v1.36). When a name matches in several groups, kubectl takes the highest.
 */
export const BUILTIN_GROUP_PRIORITIES: Readonly<Record<string, number>> = {
  '': 18000,
  apps: 17800,
  'events.k8s.io': 17750,
  'authentication.k8s.io': 17700,
  'authorization.k8s.io': 17600,
  autoscaling: 17500,
  batch: 17400,
  'certificates.k8s.io': 17300,
  'networking.k8s.io': 17200,
  policy: 17100,
  'rbac.authorization.k8s.io': 17000,
  'storage.k8s.io': 16800,
  'apiextensions.k8s.io': 16700,
  'admissionregistration.k8s.io': 16700,
  'scheduling.k8s.io': 16600,
  'coordination.k8s.io': 16500,
  'node.k8s.io': 16300,
  'discovery.k8s.io': 16200,
  'resource.k8s.io': 16200,
  'flowcontrol.apiserver.k8s.io': 16100,
  'internal.apiserver.k8s.io': 16000,
  'storagemigration.k8s.io': 15800,
  // kube-aggregator serves this group itself; discovery lists it right after the core group.
  'apiregistration.k8s.io': 17900,
};
