export {
  type OutlierFormat,
  type OutlierRequest,
  parseOutlierBody,
  parseOutlierQuery,
} from './outlier-request.js';
export { compileSchema, type SchemaValidator } from './schema.js';
