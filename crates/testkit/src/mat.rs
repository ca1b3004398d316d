//! MATLAB MAT files: v5 (what the datasets ship and scipy writes) and the v7.3 head.

/// One MAT v5 data element: type, byte length, payload, padded to 8 bytes.
fn element(out: &mut Vec<u8>, ty: u32, payload: &[u8]) {
    out.extend(ty.to_le_bytes());
    out.extend((payload.len() as u32).to_le_bytes());
    out.extend(payload);
    out.resize(out.len().next_multiple_of(8), 0);
}

/// The 128-byte MAT header: text, subsystem offset, version, little-endian mark.
fn header(text: &str, version: u16) -> Vec<u8> {
    let mut bytes = format!("{text:<116}").into_bytes();
    bytes.truncate(116);
    bytes.extend([0u8; 8]);
    bytes.extend(version.to_le_bytes());
    bytes.extend(b"IM");
    bytes
}

/// An uncompressed MAT v5 file of double matrices `(name, dims, column-major values)`, laid
/// out as `scipy.io.savemat` / MATLAB `save -v6` write it.
pub fn mat_v5(vars: &[(&str, &[usize], &[f64])]) -> Vec<u8> {
    let mut bytes = header("MATLAB 5.0 MAT-file, written by the sslinv tests", 0x0100);
    for (name, dims, values) in vars {
        let mut m = Vec::new();
        // Array flags: class double (6), no flags.
        element(
            &mut m,
            6,
            &[6u32.to_le_bytes(), 0u32.to_le_bytes()].concat(),
        );
        let d: Vec<u8> = dims
            .iter()
            .flat_map(|&x| (x as i32).to_le_bytes())
            .collect();
        element(&mut m, 5, &d);
        element(&mut m, 1, name.as_bytes());
        let v: Vec<u8> = values.iter().flat_map(|x| x.to_le_bytes()).collect();
        element(&mut m, 9, &v);
        // miMATRIX
        element(&mut bytes, 14, &m);
    }
    bytes
}

/// The head of a MAT v7.3 file: the MAT header (version 0x0200) in a 512-byte HDF5 user block,
/// then the HDF5 signature, padded to 2 KiB. No v5 reader can read it.
pub fn mat_v73_header() -> Vec<u8> {
    let mut bytes = header(
        "MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .",
        0x0200,
    );
    bytes.resize(512, 0);
    bytes.extend(b"\x89HDF\r\n\x1a\n");
    bytes.resize(2048, 0);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v5_header_and_first_element() {
        let b = mat_v5(&[("x", &[1, 2], &[1.0, 2.0])]);
        assert_eq!(&b[126..128], b"IM");
        assert_eq!(u16::from_le_bytes([b[124], b[125]]), 0x0100);
        assert_eq!(u32::from_le_bytes(b[128..132].try_into().unwrap()), 14);
        // flags(16) + dims(16) + name(16) + two doubles(24) = 72 bytes of matrix body.
        assert_eq!(u32::from_le_bytes(b[132..136].try_into().unwrap()), 72);
        assert_eq!(b.len(), 128 + 8 + 72);
    }

    #[test]
    fn v73_has_hdf5_signature_at_512() {
        let b = mat_v73_header();
        assert_eq!(&b[512..520], b"\x89HDF\r\n\x1a\n");
        assert_eq!(u16::from_le_bytes([b[124], b[125]]), 0x0200);
    }
}
