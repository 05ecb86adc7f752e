// class-transformer ships no typings next to its CommonJS storage module; its types live apart.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
