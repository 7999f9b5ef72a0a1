//! Minimal placeholder (accept mode only); replaced by the full test responder.
use std::io::{Read, Write};
use std::net::TcpListener;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut listens = Vec::new();
    let mut i = 1;
    while i < args.len() {
        if args[i] == "--listen" {
            listens.push(args[i + 1].clone());
            i += 1;
        }
        i += 1;
    }
    let mut handles = Vec::new();
    for l in listens {
        let ln = TcpListener::bind(&l).expect("bind");
        handles.push(std::thread::spawn(move || {
            for s in ln.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut s = s;
                    let mut buf = [0u8; 512];
                    while let Ok(n) = s.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                    }
                });
            }
        }));
    }
    println!("ready");
    std::io::stdout().flush().unwrap();
    for h in handles {
        let _ = h.join();
    }
}
