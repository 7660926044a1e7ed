export { ModelFormatError, type ModelFormatErrorCode } from './errors.js';
export {
  checkJsonStructure,
  findNonJson,
  type JsonObject,
  type JsonStructureProblem,
  type JsonValue,
  MAX_JSON_DEPTH,
} from './json.js';
export { decodeLoopState, encodeLoopState, STATE_TENSOR_PREFIX } from './loop-state.js';
export {
  checkTensorNames,
  type DecodeModelOptions,
  decodeModel,
  type EncodeModelOptions,
  encodeModel,
  envelopeSchema,
  KNOWN_MODEL_KINDS,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  MODEL_METADATA_KEY,
  type ModelEnvelope,
  type ModelFile,
  type ModelInput,
  prefixTensors,
  randomStateSchema,
  requireTensor,
  type TensorSource,
  type TrainingInput,
  type TrainingRecord,
  tensorsWithPrefix,
  trainingSchema,
  validateWith,
} from './model.js';
export {
  type DecodedSafetensors,
  type DecodeSafetensorsOptions,
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  type NamedTensor,
  readHeaderLength,
  SAFETENSORS_DTYPES,
  type TensorMap,
} from './safetensors.js';
export { MODEL_FORMAT_PACKAGE_VERSION } from './version.js';
