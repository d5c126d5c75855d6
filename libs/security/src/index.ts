export { keyIdOf, SecretBox } from './secret-box';
export { hmacSha256Hex, safeEqual, sha256Hex, randomSecret } from './hashing';
export { stableStringify } from './stable-json';
export {
  signedRecordHeaders,
  signStoreBody,
  signUpload,
  startStoreSignature,
  STORE_SIGNATURE_HEADERS,
} from './store-signature';
export { isPublicAddress } from './public-address';
export {
  assertOutboundUrl,
  guardedLookup,
  outboundGet,
  OutboundGetOptions,
  OutboundPolicy,
  OutboundRefusal,
  OutboundRefusedError,
  OutboundResponse,
} from './outbound-http.client';
export { MAGENTO_SEARCH_PATHS, magentoGet, MagentoUnansweredError, magentoUrl } from './magento-rest';
