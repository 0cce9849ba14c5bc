import { parsePayloadKeys, temporalDataConverter } from '../../libs/workflows/src/temporal/payload-encryption';

/** The floors encrypt payloads when the production children they are compared with do (the same
 *  TEMPORAL_PAYLOAD_KEYS in the environment), so a floor stays the SDK's minimum for the same work. */
export const benchDataConverter = () => temporalDataConverter(parsePayloadKeys(process.env.TEMPORAL_PAYLOAD_KEYS));
