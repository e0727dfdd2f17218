/** The database's file name inside the data folder (the engine, `flightdeck import` and `flightdeck usage` open it). */
export const DB_FILE = 'flightdeck.db';
