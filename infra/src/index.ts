export * from './config';
export * from './errors';
export * from './probe';
export { quietKafkajsTimers } from './kafkajs-timers';
export type { ServiceDefinition, ServiceContext, PortSpec, LaunchCommand } from './service';
export { contextFor, outputLog, type ServiceStatus } from './supervisor';
export { services, stackUp, stackDown, stackStatus, selectServices, type StackOptions, type UpResult } from './stack';
