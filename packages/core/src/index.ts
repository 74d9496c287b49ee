export * from './song/index'
