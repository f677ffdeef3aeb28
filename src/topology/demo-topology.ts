/**
 * A small but realistic estate: three layers of infrastructure and data services under APIs and
 * front ends, four business applications, redundant payment providers and load balancers,
 * a VMware cluster of hypervisors and a Kubernetes cluster, each hosting virtual machines on its
 * devices.
 */
export interface DemoTopology {
  readonly clusters: ReadonlyArray<{ name: string; type: string; site: string }>;
  /** name, role, cluster (for hypervisors and nodes) */
  readonly devices: ReadonlyArray<[name: string, role: string, cluster?: string]>;
  /** name, cluster, host device */
  readonly virtualMachines: ReadonlyArray<[name: string, cluster: string, host: string]>;
  readonly services: ReadonlyArray<{
    name: string;
    type?: 'technical' | 'logical';
    devices?: string[];
    vms?: string[];
    clusters?: string[];
  }>;
  readonly applications: ReadonlyArray<{
    appcode: string;
    name: string;
    owner: string;
    description: string;
    services: string[];
  }>;
  /** upstream, downstream, redundancy group name (none = a normal dependency) */
  readonly dependencies: ReadonlyArray<[upstream: string, downstream: string, group?: string]>;
  readonly eventSources: readonly string[];
  readonly changeTypes: readonly string[];
}

const SITE = 'dc-frankfurt-1';

export const DEMO_TOPOLOGY: DemoTopology = {
  clusters: [
    { name: 'vmw-prod', type: 'VMware vSphere', site: SITE },
    { name: 'k8s-prod', type: 'Kubernetes', site: SITE },
  ],
  devices: [
    ['core-sw-01', 'core-switch'],
    ['core-sw-02', 'core-switch'],
    ['fw-01', 'firewall'],
    ['san-01', 'storage-array'],
    ['san-02', 'storage-array'],
    ['esx-01', 'hypervisor', 'vmw-prod'],
    ['esx-02', 'hypervisor', 'vmw-prod'],
    ['esx-03', 'hypervisor', 'vmw-prod'],
    ['esx-04', 'hypervisor', 'vmw-prod'],
    ['k8s-node-01', 'kubernetes-node', 'k8s-prod'],
    ['k8s-node-02', 'kubernetes-node', 'k8s-prod'],
    ['k8s-node-03', 'kubernetes-node', 'k8s-prod'],
    ['db-01', 'database-server'],
    ['db-02', 'database-server'],
    ['db-03', 'database-server'],
    ['redis-01', 'cache-server'],
    ['redis-02', 'cache-server'],
    ['kafka-01', 'broker'],
    ['kafka-02', 'broker'],
    ['kafka-03', 'broker'],
    ['lb-01', 'load-balancer'],
    ['lb-02', 'load-balancer'],
    ['dns-01', 'dns-server'],
    ['dns-02', 'dns-server'],
  ],
  virtualMachines: [
    ['orders-api-vm-01', 'vmw-prod', 'esx-01'],
    ['orders-api-vm-02', 'vmw-prod', 'esx-02'],
    ['payments-api-vm-01', 'vmw-prod', 'esx-03'],
    ['catalog-api-vm-01', 'vmw-prod', 'esx-04'],
    ['crm-api-vm-01', 'vmw-prod', 'esx-01'],
    ['auth-vm-01', 'vmw-prod', 'esx-02'],
    ['shop-web-vm-01', 'vmw-prod', 'esx-03'],
    ['shop-web-vm-02', 'vmw-prod', 'esx-04'],
    ['crm-web-vm-01', 'vmw-prod', 'esx-01'],
    ['checkout-web-vm-01', 'k8s-prod', 'k8s-node-01'],
    ['checkout-web-vm-02', 'k8s-prod', 'k8s-node-02'],
    ['mobile-gateway-vm-01', 'k8s-prod', 'k8s-node-03'],
  ],
  services: [
    { name: 'core-network', devices: ['core-sw-01', 'core-sw-02', 'fw-01'] },
    { name: 'san-storage', devices: ['san-01', 'san-02'] },
    { name: 'dns', devices: ['dns-01', 'dns-02'] },
    { name: 'virtualization-platform', clusters: ['vmw-prod'] },
    { name: 'postgres-orders', devices: ['db-01', 'db-02'] },
    { name: 'postgres-crm', devices: ['db-03'] },
    { name: 'redis-cache', devices: ['redis-01', 'redis-02'] },
    { name: 'kafka', devices: ['kafka-01', 'kafka-02', 'kafka-03'] },
    { name: 'psp-adyen', type: 'logical' },
    { name: 'psp-stripe', type: 'logical' },
    { name: 'auth-service', vms: ['auth-vm-01'] },
    { name: 'orders-api', vms: ['orders-api-vm-01', 'orders-api-vm-02'] },
    { name: 'catalog-api', vms: ['catalog-api-vm-01'] },
    { name: 'payments-api', vms: ['payments-api-vm-01'] },
    { name: 'crm-api', vms: ['crm-api-vm-01'] },
    { name: 'edge-lb-a', devices: ['lb-01'] },
    { name: 'edge-lb-b', devices: ['lb-02'] },
    { name: 'shop-web', vms: ['shop-web-vm-01', 'shop-web-vm-02'] },
    {
      name: 'checkout-web',
      clusters: ['k8s-prod'],
      vms: ['checkout-web-vm-01', 'checkout-web-vm-02'],
    },
    { name: 'crm-web', vms: ['crm-web-vm-01'] },
    { name: 'mobile-gateway', clusters: ['k8s-prod'], vms: ['mobile-gateway-vm-01'] },
  ],
  applications: [
    {
      appcode: 'SHOP',
      name: 'Online Shop',
      owner: 'E-commerce Team',
      description: 'Public web shop: catalogue, basket and order tracking.',
      services: ['shop-web', 'catalog-api', 'orders-api'],
    },
    {
      appcode: 'PAY',
      name: 'Payments',
      owner: 'Payments Team',
      description: 'Checkout and payment processing.',
      services: ['checkout-web', 'payments-api'],
    },
    {
      appcode: 'CRM',
      name: 'Customer Relationship Management',
      owner: 'Sales Operations',
      description: 'Customer records and support cases.',
      services: ['crm-web', 'crm-api'],
    },
    {
      appcode: 'MOBILE',
      name: 'Mobile App Backend',
      owner: 'Mobile Team',
      description: 'API gateway of the iOS and Android apps.',
      services: ['mobile-gateway'],
    },
  ],
  dependencies: [
    ['core-network', 'san-storage'],
    ['core-network', 'dns'],
    ['core-network', 'virtualization-platform'],
    ['core-network', 'postgres-orders'],
    ['core-network', 'postgres-crm'],
    ['core-network', 'redis-cache'],
    ['core-network', 'kafka'],
    ['core-network', 'edge-lb-a'],
    ['core-network', 'edge-lb-b'],
    ['san-storage', 'virtualization-platform'],
    ['san-storage', 'postgres-orders'],
    ['san-storage', 'postgres-crm'],
    ['virtualization-platform', 'auth-service'],
    ['virtualization-platform', 'orders-api'],
    ['virtualization-platform', 'catalog-api'],
    ['virtualization-platform', 'payments-api'],
    ['virtualization-platform', 'crm-api'],
    ['virtualization-platform', 'shop-web'],
    ['virtualization-platform', 'crm-web'],
    ['dns', 'auth-service'],
    ['postgres-orders', 'orders-api'],
    ['postgres-orders', 'catalog-api'],
    ['postgres-crm', 'crm-api'],
    ['redis-cache', 'catalog-api'],
    ['redis-cache', 'auth-service'],
    ['kafka', 'orders-api'],
    ['kafka', 'payments-api'],
    ['psp-adyen', 'payments-api', 'payment-providers'],
    ['psp-stripe', 'payments-api', 'payment-providers'],
    ['auth-service', 'shop-web'],
    ['auth-service', 'checkout-web'],
    ['auth-service', 'crm-web'],
    ['auth-service', 'mobile-gateway'],
    ['orders-api', 'shop-web'],
    ['orders-api', 'checkout-web'],
    ['orders-api', 'mobile-gateway'],
    ['catalog-api', 'shop-web'],
    ['catalog-api', 'mobile-gateway'],
    ['payments-api', 'checkout-web'],
    ['crm-api', 'crm-web'],
    ['edge-lb-a', 'shop-web', 'edge-load-balancers'],
    ['edge-lb-b', 'shop-web', 'edge-load-balancers'],
    ['edge-lb-a', 'checkout-web', 'edge-load-balancers'],
    ['edge-lb-b', 'checkout-web', 'edge-load-balancers'],
  ],
  eventSources: ['alertmanager', 'generic', 'capacitor', 'signalfx', 'email', 'pagerduty'],
  changeTypes: ['deployment', 'configuration', 'patching', 'hardware'],
};
