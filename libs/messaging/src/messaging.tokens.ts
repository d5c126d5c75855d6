/** Injection token for the app's shared kafkajs client. */
export const KAFKA = Symbol('KAFKA');

/** Injection token for the MessagingOptions an app gave MessagingModule.forRoot. */
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
