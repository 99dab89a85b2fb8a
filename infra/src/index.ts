export * from './probe';
export type { ServiceDefinition, ServiceContext, PortSpec, LaunchCommand } from './service';
export { contextFor, outputLog, stopService, upService, type ServiceStatus } from './supervisor';
export { services, stackUp, stackDown, stackStatus, selectServices, type StackOptions, type UpResult } from './stack';
