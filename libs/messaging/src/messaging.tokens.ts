/** Injection token for the app's shared kafkajs client. */
export const KAFKA = Symbol('KAFKA');
