// Declarative, idempotent revocation of PingOne user sessions: one session, every session of a user, or a sweep of a population.
package pingonesessions
