import { ModelDefinition } from '@nestjs/mongoose';
import { ApiKey, ApiKeySchema } from './api-key.schema';

export { ApiKey, ApiKeySchema, ApiKeyRole, API_KEY_ROLES } from './api-key.schema';
export { ApiKeyRecord, NewApiKey, ApiKeyRepository } from './api-key.repository';
export const apiKeyModel: ModelDefinition = { name: ApiKey.name, schema: ApiKeySchema };
