export * from '@wharf/schemas';
