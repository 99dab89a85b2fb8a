import { topicNames, type TopicName } from './catalog';

export { topicNames, topicKeys, schemaFiles, valueSubject, type TopicName, type TopicSchema } from './catalog';
export * from './types.generated';
export * from './codec';
export * from './compatibility';
export * from './score-vocabulary';

export function isTopicName(name: string): name is TopicName {
  return (topicNames as readonly string[]).includes(name);
}
