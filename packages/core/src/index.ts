export * from './music/index'
export * from './song/index'
